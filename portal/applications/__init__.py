"""Applications (solicitudes / expedientes): drafts, filing, documents, history, status."""
