package discord

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/wirewatch/wirewatch"
)

func benchAlert() wirewatch.Alert {
	a := testAlert(textCh, "Judge orders the government to facilitate Abrego Garcia's return")
	a.Summary = strings.Repeat("Judge Paula Xinis ordered the administration to facilitate the return of Kilmar Abrego Garcia. ", 12)
	return a
}

// BenchmarkEmbedBaseline is the floor: encoding the alert as the stdout
// destination does. Compare BenchmarkAlertEmbed with it.
func BenchmarkEmbedBaseline(b *testing.B) {
	a := benchAlert()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := json.Marshal(a); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAlertEmbed builds and encodes one alert's embed: escaping,
// bolding the terms and fitting the limits.
func BenchmarkAlertEmbed(b *testing.B) {
	d := testDiscord(b)
	a := benchAlert()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := json.Marshal(d.alertEmbed(a)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAlertEmbedHuge is the worst case: a 20,000-character summary
// that must be cut to fit.
func BenchmarkAlertEmbedHuge(b *testing.B) {
	d := testDiscord(b)
	a := benchAlert()
	a.Summary = strings.Repeat("Xinis *ruled* on Abrego Garcia. ", 600)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := json.Marshal(d.alertEmbed(a)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkTopContent renders a thread's top message with five recent
// items, as every edit does. Compare with BenchmarkEmbedBaseline.
func BenchmarkTopContent(b *testing.B) {
	a := benchAlert()
	th := wirewatch.Thread{Title: "Abrego Garcia v. Noem, 8:25-cv-00951 (D. Md.)", Count: 12, Posted: 9, Latest: a.Title}
	for range wirewatch.RecentItems {
		th.Recent = append(th.Recent, wirewatch.ThreadItem{Title: a.Title, Link: a.Link, Source: a.Source, Time: a.Published})
	}
	b.ReportAllocs()
	for b.Loop() {
		if len(topContent(th, nil)) == 0 {
			b.Fatal("empty")
		}
	}
}
