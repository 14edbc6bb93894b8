//go:build !linux

package main

import (
	"io/fs"
	"net"
)

// peerCred: only Linux is asked for its peers' credentials; elsewhere the
// control folder's mode 0700 is the guard.
func peerCred(net.Conn) (peer, error) { return peer{}, errNoPeerCred }

// fileOwner: not checked outside Linux.
func fileOwner(fs.FileInfo) (uint32, bool) { return 0, false }
