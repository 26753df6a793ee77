"""Read what users have into typed items; originals are never altered."""
