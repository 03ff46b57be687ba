"""The ReCap hierarchy: clip captions → segment descriptions → video summary."""
