package i18n

// frDashboard holds the dashboard's words (tui/).
func frDashboard() map[string]string {
	return map[string]string{
		"next screen":     "écran suivant",
		"previous screen": "écran précédent",
		"help":            "aide",
		"quit":            "quitter",
		"français":        "English",
		"Save or discard your changes first, then press L again.":                      "Enregistrez ou abandonnez d'abord vos modifications, puis appuyez de nouveau sur L.",
		"An act is under way: wait for it, or cancel it with esc, then press L again.": "Une action est en cours : attendez-la, ou annulez-la avec esc, puis appuyez de nouveau sur L.",
		// The screens' names, on the tabs (tui.screenNames).
		"Users":   "Utilisateurs",
		"Invite":  "Inviter",
		"Pending": "En attente",
		"Delete":  "Supprimer",
		"Mail":    "Courrier",
	}
}
