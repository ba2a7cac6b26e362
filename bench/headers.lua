-- Headers of a browser call through a reverse proxy: CORS and X-Forwarded-For code paths run.
wrk.headers["Origin"] = "https://ops.example.com"
wrk.headers["X-Forwarded-For"] = "198.51.100.7"
