"""Camera sources behind one interface (`source.FrameSource`); no Qt in this package."""
