"""The reach layer: the projection of access edges, who is asking, route search and answers."""
