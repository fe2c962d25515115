"""The bundled sample portal mirror: sample reports, their renderings, and the server that replays them."""
