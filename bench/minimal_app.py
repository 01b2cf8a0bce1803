"""The benchmark's baseline: one slider → one plotly line chart (what every ratio divides by)."""

import numpy as np
import plotly.graph_objects as go
import streamlit as st

x0 = st.slider("x", -10.0, 10.0, 2.0, 0.1, key="x")
xs = np.linspace(-10.0, 10.0, 401)
fig = go.Figure(go.Scatter(x=xs, y=1.0 / (1.0 + np.exp(-(xs - x0))), mode="lines"))
st.plotly_chart(fig, key="chart")
