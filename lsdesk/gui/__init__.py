"""The Qt layer: the worker thread, the window and its widgets."""
