# Sourced by the delivery benchmarks: nginx answering 204 to every request on 127.0.0.1, the
# receiver that costs least, so a run measures the sender. Needs $WORK; sets $PORT; the
# caller's EXIT trap stops it (`kill $(cat "$WORK/nginx.pid")`).
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
mkdir -p "$WORK/nginx"
cat > "$WORK/nginx/nginx.conf" <<NGINX
daemon on;
pid $WORK/nginx.pid;
worker_processes 1;
error_log $WORK/nginx/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $WORK/nginx/body;
  keepalive_requests 100000;
  server {
    listen 127.0.0.1:$PORT;
    location / { client_max_body_size 1m; return 204; }
  }
}
NGINX
nginx -c "$WORK/nginx/nginx.conf"
