"""\"Abrir mi negocio\": the questionnaire, the plan across offices, and the saved plans."""
