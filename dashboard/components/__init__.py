"""Small builder functions shared by the pages."""
