"""Small text utilities shared by writers and search (tokenising, salience)."""
