"""One module per AWS behaviour that moto lacks; see ../moto_server.py."""
