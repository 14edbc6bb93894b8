# Build: a static binary, no cgo.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/wirewatch ./cmd/wirewatch

# Run: non-root, the store on a volume, CA certificates for HTTPS feeds.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/wirewatch /usr/local/bin/wirewatch
WORKDIR /data
VOLUME /data
# The config's store path resolves against the config file's folder: mount
# the config at /data/wirewatch.yaml and keep `store: wirewatch.db`.
ENV WIREWATCH_CONFIG=/data/wirewatch.yaml
EXPOSE 8080
USER nonroot:nonroot
ENTRYPOINT ["wirewatch"]
CMD ["run"]
