"""Pure algorithms of judging: no Django import."""
