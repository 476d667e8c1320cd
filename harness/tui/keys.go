package tui

import "github.com/charmbracelet/bubbles/key"

// keyMap is the dashboard's key bindings; it feeds bubbles/help.
type keyMap struct {
	Quit, Next, Prev, Help key.Binding
}

func defaultKeys() keyMap {
	return keyMap{
		Quit: key.NewBinding(key.WithKeys("q", "ctrl+c"), key.WithHelp("q", "quit (stops the run)")),
		Next: key.NewBinding(key.WithKeys("tab", "right", "l"), key.WithHelp("tab", "next view")),
		Prev: key.NewBinding(key.WithKeys("shift+tab", "left", "h"), key.WithHelp("shift+tab", "previous view")),
		Help: key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "help")),
	}
}

// ShortHelp is the one-line help under the dashboard.
func (k keyMap) ShortHelp() []key.Binding { return []key.Binding{k.Quit, k.Next, k.Help} }

// FullHelp is the help shown after ?.
func (k keyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{{k.Next, k.Prev}, {k.Help, k.Quit}}
}
