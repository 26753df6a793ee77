"""txlguard (通讯录卫士): the law on contact-list debt collection, as data, applied to evidence."""

__version__ = "0.1.0"
