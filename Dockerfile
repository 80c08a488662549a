FROM python:3.11-slim
WORKDIR /app
ENV PYTHONUNBUFFERED=1 VAR_DIR=/app/var
COPY . .
RUN pip install --no-cache-dir -c requirements.lock .
EXPOSE 8000
