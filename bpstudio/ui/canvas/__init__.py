"""The network canvas: a QGraphicsScene view of the document's network."""
