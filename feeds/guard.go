package feeds

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
	"time"

	"github.com/wirewatch/wirewatch"
)

// ErrPrivateAddress is the SSRF guard's refusal: an untrusted feed's host
// resolved to an address that is not on the public internet.
var ErrPrivateAddress = errors.New("address is not public")

// MaxURL bounds the length of a feed URL typed in chat.
const MaxURL = 2048

// nonPublic are ranges refused besides what netip.Addr's predicates cover:
// "this network", shared (CGNAT) space, IETF protocol assignments,
// documentation and benchmarking networks, reserved space and broadcast,
// NAT64 and the IPv6 documentation prefix. Sources: the IANA special-purpose
// address registries,
// https://www.iana.org/assignments/iana-ipv4-special-registry/ and
// https://www.iana.org/assignments/iana-ipv6-special-registry/.
var nonPublic = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("100.64.0.0/10"),
	netip.MustParsePrefix("192.0.0.0/24"),
	netip.MustParsePrefix("192.0.2.0/24"),
	netip.MustParsePrefix("198.18.0.0/15"),
	netip.MustParsePrefix("198.51.100.0/24"),
	netip.MustParsePrefix("203.0.113.0/24"),
	netip.MustParsePrefix("240.0.0.0/4"),
	netip.MustParsePrefix("64:ff9b::/96"),
	netip.MustParsePrefix("64:ff9b:1::/48"),
	netip.MustParsePrefix("100::/64"),
	netip.MustParsePrefix("2001:db8::/32"),
	netip.MustParsePrefix("2002::/16"), // 6to4 can tunnel to any IPv4 address
	netip.MustParsePrefix("2001::/32"), // Teredo, likewise
}

// IsPublic reports whether a is a globally routable unicast address: not
// loopback, private, link-local, multicast, unspecified or special-purpose.
// IPv4-mapped IPv6 addresses are judged as the IPv4 address they map.
func IsPublic(a netip.Addr) bool {
	a = a.Unmap()
	if !a.IsValid() || a.IsLoopback() || a.IsPrivate() || a.IsUnspecified() ||
		a.IsLinkLocalUnicast() || a.IsLinkLocalMulticast() ||
		a.IsInterfaceLocalMulticast() || a.IsMulticast() {
		return false
	}
	if a.Is4() && a == netip.AddrFrom4([4]byte{255, 255, 255, 255}) {
		return false
	}
	for _, p := range nonPublic {
		if p.Contains(a) {
			return false
		}
	}
	return true
}

// guard is the SSRF policy. The zero value refuses every non-public address;
// tests mark loopback ports as public to run the guard against httptest.
type guard struct {
	publicPorts map[uint16]bool // test hook: loopback addresses on these ports count as public
}

// allowed reports whether dialing ap is allowed for an untrusted feed.
func (g *guard) allowed(ap netip.AddrPort) bool {
	if IsPublic(ap.Addr()) {
		return true
	}
	return g != nil && ap.Addr().Unmap().IsLoopback() && g.publicPorts[ap.Port()]
}

// dialContext dials like d, but refuses, after name resolution and before
// connecting, any address the guard does not allow. It runs for every
// connection, so redirects and DNS answers that change are covered.
func (g *guard) dialContext(d *net.Dialer) func(ctx context.Context, network, addr string) (net.Conn, error) {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		host, _, _ := net.SplitHostPort(addr)
		dd := *d
		dd.Control = func(_, address string, _ syscall.RawConn) error {
			ap, err := netip.ParseAddrPort(address)
			if err != nil {
				return fmt.Errorf("%w: cannot read address %q of %s", ErrPrivateAddress, address, host)
			}
			if !g.allowed(ap) {
				return privateErr(host, ap.Addr())
			}
			return nil
		}
		return dd.DialContext(ctx, network, addr)
	}
}

// privateErr names the refused address, and the host when it is a name.
func privateErr(host string, a netip.Addr) error {
	a = a.Unmap()
	if h, err := netip.ParseAddr(host); err == nil && h.Unmap() == a {
		return fmt.Errorf("%w: %s", ErrPrivateAddress, a)
	}
	return fmt.Errorf("%w: %s resolves to %s", ErrPrivateAddress, host, a)
}

// CheckURL vets a feed URL typed in chat before anything is fetched: it must
// be an absolute http or https URL with a host, no user name or password, at
// most MaxURL bytes, and unless allowPrivate every address its host resolves
// to must be public (IsPublic). The same check runs again at every dial of an
// untrusted fetch.
func CheckURL(ctx context.Context, raw string, allowPrivate bool) (*url.URL, error) {
	return checkURL(ctx, raw, allowPrivate, nil, net.DefaultResolver)
}

// resolver is the part of net.Resolver that CheckURL needs.
type resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

func checkURL(ctx context.Context, raw string, allowPrivate bool, g *guard, r resolver) (*url.URL, error) {
	raw = strings.TrimSpace(raw)
	// Slack wraps links as <https://…> or <https://…|label>.
	if strings.HasPrefix(raw, "<") && strings.HasSuffix(raw, ">") {
		raw = raw[1 : len(raw)-1]
		raw, _, _ = strings.Cut(raw, "|")
	}
	if raw == "" {
		return nil, errors.New("feed URL is empty")
	}
	if len(raw) > MaxURL {
		return nil, fmt.Errorf("feed URL is %d bytes long; the limit is %d", len(raw), MaxURL)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("feed URL %q: %w", wirewatch.Clip(raw, 200), err)
	}
	u.Scheme = strings.ToLower(u.Scheme)
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("feed URL %q: want http or https, not %q", wirewatch.Clip(raw, 200), u.Scheme)
	}
	if u.Host == "" || u.Hostname() == "" {
		return nil, fmt.Errorf("feed URL %q: no host", wirewatch.Clip(raw, 200))
	}
	if u.User != nil {
		return nil, fmt.Errorf("feed URL %q: user names and passwords in URLs are not accepted", u.Redacted())
	}
	if p := u.Port(); p != "" {
		if n, err := parsePort(p); err != nil || n == 0 {
			return nil, fmt.Errorf("feed URL %q: bad port %q", wirewatch.Clip(raw, 200), p)
		}
	}
	if allowPrivate {
		return u, nil
	}
	host := u.Hostname()
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	var addrs []netip.Addr
	if a, err := netip.ParseAddr(host); err == nil {
		addrs = []netip.Addr{a}
	} else {
		addrs, err = r.LookupNetIP(ctx, "ip", host)
		if err != nil {
			return nil, fmt.Errorf("feed URL %q: resolve %s: %w", wirewatch.Clip(raw, 200), host, err)
		}
		if len(addrs) == 0 {
			return nil, fmt.Errorf("feed URL %q: %s has no address", wirewatch.Clip(raw, 200), host)
		}
	}
	port := uint16(80)
	if u.Scheme == "https" {
		port = 443
	}
	if p := u.Port(); p != "" {
		n, _ := parsePort(p)
		port = n
	}
	for _, a := range addrs {
		if !g.allowed(netip.AddrPortFrom(a, port)) {
			return nil, fmt.Errorf("feed URL %q: %w", wirewatch.Clip(raw, 200), privateErr(host, a))
		}
	}
	return u, nil
}

func parsePort(p string) (uint16, error) {
	var n int
	for _, c := range p {
		if c < '0' || c > '9' {
			return 0, fmt.Errorf("port %q is not a number", p)
		}
		n = n*10 + int(c-'0')
		if n > 65535 {
			return 0, fmt.Errorf("port %q is out of range", p)
		}
	}
	return uint16(n), nil
}
