"""The numbers: losses and gradients mirrored on torch.nn.functional, torch's checks and errors,
dtypes, the live torch reference. No streamlit, no plotly."""
