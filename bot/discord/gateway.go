package discord

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/wirewatch/wirewatch"
)

// Run registers the /watch command (bulk overwrite, in GuildID when set,
// else globally) and, with Gateway, opens the gateway and answers
// interactions until ctx is done. Without Gateway, commands arrive at
// InteractionsHandler and Run only registers them and waits. Run returns
// nil when ctx is done, or an error that retrying cannot fix (a refused
// token, a refused registration).
func (d *Discord) Run(ctx context.Context, c wirewatch.Commander) error {
	if !d.gateway {
		if d.appID == "" {
			return errors.New("discord: application_id is needed when the gateway is off")
		}
		if err := d.register(ctx, d.appID); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		<-ctx.Done()
		return nil
	}

	remove := []func(){
		d.s.AddHandler(func(_ *discordgo.Session, r *discordgo.Ready) {
			d.mu.Lock()
			defer d.mu.Unlock()
			select {
			case <-d.ready:
			default:
				if r.Application != nil {
					d.readyApp = r.Application.ID
				}
				close(d.ready)
			}
		}),
		d.s.AddHandler(func(_ *discordgo.Session, _ *discordgo.Disconnect) {
			if ctx.Err() == nil {
				d.log.Info("discord gateway disconnected; discordgo reconnects")
			}
		}),
		d.s.AddHandler(func(_ *discordgo.Session, _ *discordgo.Resumed) {
			d.log.Info("discord gateway resumed")
		}),
		d.s.AddHandler(func(s *discordgo.Session, ic *discordgo.InteractionCreate) {
			if ic.Interaction == nil {
				return
			}
			// discordgo runs handlers in their own goroutines.
			d.gatewayInteraction(ctx, c, ic.Interaction)
		}),
	}
	defer func() {
		for _, f := range remove {
			f()
		}
	}()

	if err := d.open(ctx); err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return err
	}
	defer func() {
		if err := d.s.Close(); err != nil {
			d.log.Debug("discord gateway close", "err", err)
		}
	}()
	appID := d.appID
	if appID == "" {
		select {
		case <-d.ready:
		case <-ctx.Done():
			return nil
		}
		d.mu.Lock()
		appID = d.readyApp
		d.mu.Unlock()
		if appID == "" {
			return errors.New("discord: READY named no application; set discord.application_id")
		}
	}
	if err := d.register(ctx, appID); err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return err
	}
	<-ctx.Done()
	return nil
}

// open connects the gateway, retrying with backoff until ctx is done. A
// refused token is final.
func (d *Discord) open(ctx context.Context) error {
	backoff := time.Second
	for attempt := 1; ; attempt++ {
		errc := make(chan error, 1)
		go func() { errc <- d.s.Open() }()
		var err error
		select {
		case err = <-errc:
		case <-ctx.Done():
			// Open gives up by itself (handshake timeout); close what it
			// opened once it does.
			go func() {
				if <-errc == nil {
					d.s.Close()
				}
			}()
			return ctx.Err()
		}
		if err == nil {
			d.log.Info("discord gateway connected")
			return nil
		}
		err = apiError(err)
		if refused(classify(err)) {
			return fmt.Errorf("discord gateway: %w", err)
		}
		lvl := d.log.Warn
		if attempt > 1 {
			lvl = d.log.Debug
		}
		lvl("discord gateway not connected; retrying", "err", err, "in", backoff)
		if err := sleep(ctx, backoff); err != nil {
			return err
		}
		backoff = min(backoff*2, 2*time.Minute)
	}
}

// register bulk-overwrites the commands, retrying transient failures.
func (d *Discord) register(ctx context.Context, appID string) error {
	backoff := time.Second
	for {
		_, err := d.s.ApplicationCommandBulkOverwrite(appID, d.guildID, Commands(), discordgo.WithContext(ctx))
		if err == nil {
			scope := "global"
			if d.guildID != "" {
				scope = "guild " + d.guildID
			}
			d.log.Info("discord commands registered", "scope", scope)
			return nil
		}
		cerr := classify(apiError(err))
		_, after := wirewatch.Classify(cerr)
		if refused(cerr) {
			return fmt.Errorf("discord register commands: %w", apiError(err))
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		wait := max(after, backoff)
		d.log.Warn("discord commands not registered; retrying", "err", apiError(err), "in", wait)
		if err := sleep(ctx, wait); err != nil {
			return err
		}
		backoff = min(backoff*2, 2*time.Minute)
	}
}

// gatewayInteraction answers one interaction that came over the gateway,
// through the REST callback.
func (d *Discord) gatewayInteraction(ctx context.Context, c wirewatch.Commander, i *discordgo.Interaction) {
	if !d.firstDelivery(i, d.now().Add(interactionLife)) {
		return
	}
	// Discord gives 3 s for the first response.
	first, cancel := context.WithTimeout(ctx, discordgo.InteractionDeadline)
	defer cancel()
	resp, later := d.answer(first, c, i)
	if err := d.s.InteractionRespond(i, resp, discordgo.WithContext(first)); err != nil {
		d.log.Warn("discord interaction not answered", "err", apiError(err))
		return
	}
	if later != nil {
		later()
	}
}
