# Models arrive with this app's issue; the foundation only reserves the app.
