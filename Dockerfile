# aliscout as a container: a static binary (pure-Go SQLite, no cgo) on a minimal base, run as a
# non-root user. Build: docker build -t aliscout . ; run: see deploy/compose.yaml.
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/aliscout ./cmd/aliscout

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/aliscout /usr/local/bin/aliscout
ENV ALISCOUT_ADDR=0.0.0.0:8080 ALISCOUT_DATA_DIR=/var/lib/aliscout ALISCOUT_LOG_FORMAT=json
VOLUME /var/lib/aliscout
EXPOSE 8080
USER nonroot:nonroot
ENTRYPOINT ["/usr/local/bin/aliscout"]
CMD ["serve"]
