"""The network canvas: a QGraphicsScene view and editor of the document's network."""
