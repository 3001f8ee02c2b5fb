"""Reference data: dated code tables the portal reads (CLAEES activity codes)."""
