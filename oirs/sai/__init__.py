"""Solicitudes de acceso a la información (Ley 20.285): procedure, letters, amparos."""
