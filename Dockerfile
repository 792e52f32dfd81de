FROM busybox
ADD http://127.0.0.1:44007/remote.txt /dl/
ADD --checksum=sha256:983df9e32ce06c9b2dc3488eb603f14bdc8d1365b84849ce444fb9128a2db3a1 http://127.0.0.1:44007/remote.txt /checked.txt
