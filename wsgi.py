from cxculture import create_app

app = create_app()
