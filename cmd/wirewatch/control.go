package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// The control socket lets the shell commands (watch, feed, status, requeue)
// reach a daemon that holds the store. Only the daemon's own user, or root,
// may use it: who could open the store anyway.
//
//   - It is created inside a folder of mode 0700 beside the store
//     (<store>.ctl/sock), so no other user can reach it whatever the umask
//     was while it was being created.
//   - Every connection's peer is read with SO_PEERCRED and refused, with the
//     reason logged, unless it runs as the daemon's uid or as root.
//
// Past that check, a request's user name and MayManageFeeds are taken as
// given: the peer is the operator.

// controlDir is the private folder of the control socket.
func controlDir(storePath string) string { return storePath + ".ctl" }

// socketPath is the daemon's control socket.
func socketPath(storePath string) string { return filepath.Join(controlDir(storePath), "sock") }

// sameUserOrRoot allows peers running as uid self or as root.
func sameUserOrRoot(self uint32) func(uid uint32) bool {
	return func(uid uint32) bool { return uid == self || uid == 0 }
}

// listenControl binds the control socket of the store at storePath; allow
// decides on each peer's uid.
func listenControl(storePath string, allow func(uid uint32) bool, log *slog.Logger) (net.Listener, error) {
	dir := controlDir(storePath)
	if err := privateDir(dir); err != nil {
		return nil, err
	}
	sock := socketPath(storePath)
	// A socket left by a daemon that died is in the way; one that answers
	// belongs to a daemon that holds the store, which Open already refused.
	os.Remove(sock)
	ln, err := net.Listen("unix", sock)
	if err != nil {
		return nil, err
	}
	os.Chmod(sock, 0o600)
	return &peerListener{Listener: ln, allow: allow, log: log}, nil
}

// privateDir makes dir a folder of mode 0700 of this process's user:
// created, or an existing one checked (a folder, not a link, ours) and
// tightened.
func privateDir(dir string) error {
	if err := os.Mkdir(dir, 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("control folder: %w", err)
	}
	fi, err := os.Lstat(dir)
	if err != nil {
		return fmt.Errorf("control folder: %w", err)
	}
	if !fi.IsDir() {
		return fmt.Errorf("control folder %s: not a folder (%s)", dir, fi.Mode().Type())
	}
	if uid, ok := fileOwner(fi); ok && uid != uint32(os.Geteuid()) {
		return fmt.Errorf("control folder %s: owned by uid %d, not by this user (uid %d); remove it", dir, uid, os.Geteuid())
	}
	if fi.Mode().Perm() != 0o700 {
		if err := os.Chmod(dir, 0o700); err != nil {
			return fmt.Errorf("control folder: %w", err)
		}
	}
	return nil
}

// peerListener refuses connections from peers allow rejects.
type peerListener struct {
	net.Listener
	allow func(uid uint32) bool
	log   *slog.Logger
}

func (l *peerListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		cred, err := peerCred(c)
		switch {
		case errors.Is(err, errNoPeerCred):
			// This system cannot say who the peer is: the folder's mode
			// is the only guard.
			return c, nil
		case err != nil:
			reason := "cannot read the peer's credentials: " + err.Error()
			l.log.Warn("control socket: connection refused", "reason", reason)
			go refuse(c, reason)
		case l.allow(cred.uid):
			return c, nil
		default:
			reason := fmt.Sprintf("uid %d is neither the daemon's user nor root", cred.uid)
			l.log.Warn("control socket: connection refused", "reason", reason, "peer_uid", cred.uid, "peer_pid", cred.pid)
			go refuse(c, reason)
		}
	}
}

// refuse answers a refused peer with a 403 naming the reason, so its
// command says why instead of "EOF", and closes the connection. The
// request's head is read first: an HTTP client takes an answer that comes
// before its request for a broken connection.
func refuse(c net.Conn, reason string) {
	defer c.Close()
	c.SetDeadline(time.Now().Add(2 * time.Second))
	if _, err := http.ReadRequest(bufio.NewReader(io.LimitReader(c, maxControlBody))); err != nil {
		return
	}
	msg := "control socket refused: " + reason + "\n"
	fmt.Fprintf(c, "HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s", len(msg), msg)
}

// peer is what SO_PEERCRED tells of the other end of a unix socket.
type peer struct{ uid, pid uint32 }

// errNoPeerCred: this system does not say who is at the other end.
var errNoPeerCred = errors.New("peer credentials not available on this system")

// controlClient is the shell commands' one client of a running daemon.
type controlClient struct{ hc *http.Client }

// dialDaemon returns a client of the daemon holding the store at storePath,
// nil when none answers.
func dialDaemon(storePath string) *controlClient {
	sock := socketPath(storePath)
	conn, err := net.DialTimeout("unix", sock, time.Second)
	if err != nil {
		return nil
	}
	conn.Close()
	return &controlClient{hc: &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", sock)
		}}}}
}

// call sends method path to the daemon, with in as the JSON body unless nil,
// and decodes its JSON answer (at most limit bytes) into out.
func (c *controlClient) call(ctx context.Context, method, path string, in, out any, limit int64) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, "http://wirewatch"+path, body)
	if err != nil {
		return err
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return fmt.Errorf("reach the running daemon: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		return fmt.Errorf("running daemon: %s", strings.TrimSpace(string(msg)))
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, limit)).Decode(out); err != nil {
		return fmt.Errorf("running daemon: %w", err)
	}
	return nil
}
