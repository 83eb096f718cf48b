"""Download formats for the REST API's lists: CSV for spreadsheets, JSON-LD for linked data."""
