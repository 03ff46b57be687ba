"""Perception experts (faces, objects, sounds, picture statistics, OCR) and the model readers beside them."""
