"""PDF reports (ReportLab) and their charts; headless, never imports Qt."""
