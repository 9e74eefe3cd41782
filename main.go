// Command jdash makes Jupyter behave per Python environment.
package main

import (
	"os"

	"github.com/jdash-dev/jdash/cmd"
)

func main() { os.Exit(cmd.Main(os.Args[1:])) }
