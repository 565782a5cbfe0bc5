// compose-check validates a Compose file the way Docker Compose itself does: it loads it with
// compose-go (the Compose specification's reference loader, which Docker Compose is built on),
// which interpolates variables, checks the file against the specification's JSON schema and
// resolves anchors, extends and dependencies. No Docker engine is needed.
//
//	compose-check docker-compose.yml   # prints the services and exits 0, or the error and exits 1
package main

import (
	"context"
	"fmt"
	"os"
	"sort"

	"github.com/compose-spec/compose-go/v2/cli"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: compose-check <compose file>")
		os.Exit(2)
	}
	options, err := cli.NewProjectOptions([]string{os.Args[1]}, cli.WithOsEnv, cli.WithDotEnv)
	if err == nil {
		var project interface{ ServiceNames() []string }
		project, err = options.LoadProject(context.Background())
		if err == nil {
			names := project.ServiceNames()
			sort.Strings(names)
			fmt.Printf("valid: %s (services: %v)\n", os.Args[1], names)
			return
		}
	}
	fmt.Fprintf(os.Stderr, "invalid: %s: %v\n", os.Args[1], err)
	os.Exit(1)
}
