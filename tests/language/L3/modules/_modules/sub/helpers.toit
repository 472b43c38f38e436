// Imported by geometry.toit (not a test itself).
helper-name: return "helpers"
