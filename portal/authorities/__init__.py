"""Authorities (institutions) as data: offices, municipios, districts and their tree."""
