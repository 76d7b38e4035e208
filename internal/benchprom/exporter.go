package benchprom

import (
	"context"
	"errors"
	"net"
	"net/http"
	"sync/atomic"
	"time"
)

// ContentType is the text exposition format kube-state-metrics serves.
const ContentType = "text/plain; version=0.0.4; charset=utf-8"

// Exporter serves a fixed exposition body at /metrics on 127.0.0.1, as a
// kube-state-metrics whose objects do not change.
type Exporter struct {
	Addr    string // host:port it listens on
	srv     *http.Server
	scrapes atomic.Int64
}

// StartExporter listens on a free loopback port and serves body.
func StartExporter(body []byte) (*Exporter, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	e := &Exporter{Addr: ln.Addr().String()}
	mux := http.NewServeMux()
	mux.HandleFunc("/metrics", func(w http.ResponseWriter, _ *http.Request) {
		e.scrapes.Add(1)
		w.Header().Set("Content-Type", ContentType)
		w.Write(body)
	})
	e.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := e.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			panic(err)
		}
	}()
	return e, nil
}

// Scrapes is how many times /metrics was served.
func (e *Exporter) Scrapes() int64 { return e.scrapes.Load() }

// Close stops the server.
func (e *Exporter) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return e.srv.Shutdown(ctx)
}

// freePort returns a loopback port nothing listens on now.
func freePort() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}
