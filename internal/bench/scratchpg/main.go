// Temporary: keeps a throwaway cluster running for manual EXPLAINs. Deleted before handing back.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"

	"github.com/itam-dev/itam/internal/devdb"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	c, err := devdb.StartTemp(ctx, nil)
	if err != nil {
		panic(err)
	}
	fmt.Println(c.AdminURL())
	<-ctx.Done()
	_ = c.Stop(context.Background())
}
