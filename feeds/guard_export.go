package feeds

import (
	"context"
	"net"
)

// Guard is the SSRF guard for other fetchers of untrusted URLs (the article
// reader): the policy of the feed fetcher's untrusted client, applied at
// every dial, so redirects and DNS answers that change are covered.
type Guard struct{ g guard }

// NewGuard returns a guard that refuses every address IsPublic refuses.
func NewGuard() *Guard { return &Guard{} }

// DialContext dials like d but refuses, after name resolution and before
// connecting, an address that is not public. The error wraps
// ErrPrivateAddress and names the host and the address.
func (g *Guard) DialContext(d *net.Dialer) func(ctx context.Context, network, addr string) (net.Conn, error) {
	return g.g.dialContext(d)
}

// TreatAsPublic makes loopback addresses on port count as public: a test
// hook, so that the guard can be run against httptest servers.
func (g *Guard) TreatAsPublic(port uint16) {
	if g.g.publicPorts == nil {
		g.g.publicPorts = map[uint16]bool{}
	}
	g.g.publicPorts[port] = true
}
