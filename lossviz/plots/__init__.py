"""Pure plot builders: data in, ``plotly.graph_objects.Figure`` out; labels come translated."""
