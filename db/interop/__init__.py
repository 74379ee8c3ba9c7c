"""Import and export in other systems' formats (national places schema, OpenAgenda, iCalendar)."""
