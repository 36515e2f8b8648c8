package server

// webText is every word of the web pages in one language. Fields with %s
// or %d are formats; their arguments are named in the comment.
type webText struct {
	Lang     string // the html lang attribute
	LangName string // the language's own name, on the link that switches to it

	InviteTitle   string // account
	InviteIntro   string // person's name, account
	ResetTitle    string
	ResetIntro    string // person's name, account
	Email         string
	NewPassword   string
	PasswordAgain string
	PasswordHint  string
	SetPassword   string
	Mismatch      string
	PasswordIs    string // what is wrong with it, said by the rules
	ReadyTitle    string
	ReadyText     string // account
	ChangedTitle  string
	ChangedText   string

	InvalidTitle  string
	InvalidText   string
	ExpiredTitle  string
	ExpiredText   string
	UsedTitle     string
	UsedText      string
	ReplacedTitle string
	ReplacedText  string
	SetUpTitle    string
	SetUpText     string
	InactiveTitle string
	InactiveText  string
	NewLink       string

	ForgotTitle  string
	ForgotIntro  string
	SendLink     string
	EmailMissing string
	TooLongTitle string
	TooLongText  string
	EmailInvalid string
	SentTitle    string
	SentText     string // the address typed

	LoginTitle    string
	Password      string
	SignIn        string
	Forgot        string
	BadLogin      string
	SignedInTitle string
	SignedInText  string // person's name, account

	SettingsLink   string
	SettingsTitle  string
	SettingsIntro  string // person's name
	EventHead      string
	Locked         string
	NoMobile       string
	Save           string
	Saved          string
	Stale          string
	SignOut        string
	SignedOutTitle string
	SignedOutText  string

	ForgeryTitle  string
	ForgeryText   string
	TooManyTitle  string
	TooManyText   string // minutes
	BusyTitle     string
	BusyText      string
	NotFoundTitle string
	NotFoundText  string
	MethodTitle   string
	MethodText    string
	ErrorTitle    string
	ErrorText     string
}

// webTexts holds the pages' languages, by the locale stored for a user.
var webTexts = map[string]*webText{
	"en": {
		Lang:     "en",
		LangName: "English",

		InviteTitle:   "Welcome to %s",
		InviteIntro:   "%s, you have been invited to join %s. Choose a password to activate your account.",
		ResetTitle:    "Choose a new password",
		ResetIntro:    "%s, choose a new password for your %s account.",
		Email:         "Email address",
		NewPassword:   "New password",
		PasswordAgain: "The same password again",
		PasswordHint:  "At least 10 characters. A few words you will remember make a good password.",
		SetPassword:   "Set my password",
		Mismatch:      "The two passwords are not the same. Type them again.",
		PasswordIs:    "Your password %s.",
		ReadyTitle:    "Your account is ready",
		ReadyText:     "Your password is set and your %s account is active. You can sign in now.",
		ChangedTitle:  "Your password has been changed",
		ChangedText:   "Use your new password from now on.",

		InvalidTitle:  "This link does not work",
		InvalidText:   "The link may be incomplete: check that you opened or copied all of it. If the invitation was withdrawn, ask the person who invited you. If you have an account, you can ask for a new link.",
		ExpiredTitle:  "This link has expired",
		ExpiredText:   "For your security, links work for a limited time only. Ask for a new one: we will send it to your email address.",
		UsedTitle:     "This link has already been used",
		UsedText:      "A password was already set with this link, and a link works only once. Sign in with your password, or ask for a new link if you have forgotten it.",
		ReplacedTitle: "This link has been replaced",
		ReplacedText:  "A newer link was sent to you after this one, or the invitation was withdrawn. Use the link in the most recent mail, or ask for a new one.",
		SetUpTitle:    "Your account is already set up",
		SetUpText:     "A password was chosen for your account since this link was sent, with another link. Sign in with it, or ask for a new link if you have forgotten it.",
		InactiveTitle: "Your account is not active",
		InactiveText:  "The account this link was sent for has been deactivated: the link no longer works, and no new link can be sent. Ask an administrator of your account.",
		NewLink:       "Ask for a new link",

		ForgotTitle:  "Forgotten password or expired link",
		ForgotIntro:  "Type your email address. We will send you a link to choose a new password; it works for one hour.",
		SendLink:     "Send me a link",
		EmailMissing: "Type your email address.",
		TooLongTitle: "What you sent is too long",
		TooLongText:  "The form holds far more than a password or an address. Go back, and type them again.",
		EmailInvalid: "This is not an email address: check what you typed.",
		SentTitle:    "Check your mail",
		SentText:     "If %s belongs to an account, a link to choose a password is on its way. It works for one hour. If it has not arrived in a few minutes, look in your spam folder.",

		LoginTitle:    "Sign in",
		Password:      "Password",
		SignIn:        "Sign in",
		Forgot:        "Forgotten password?",
		BadLogin:      "Wrong email address or password.",
		SignedInTitle: "You are signed in",
		SignedInText:  "Welcome, %s. Your %s account is ready and your password works.",

		SettingsLink:   "Choose your notifications",
		SettingsTitle:  "Your notifications",
		SettingsIntro:  "%s, choose which events reach you, and by which channel.",
		EventHead:      "Event",
		Locked:         "Always on: security notices cannot be turned off.",
		NoMobile:       "You have no mobile number yet: SMS reach you once one is on your profile.",
		Save:           "Save",
		Saved:          "Your choices are saved.",
		Stale:          "Your settings changed elsewhere since this page was opened: here they are as they are now. Make your change again.",
		SignOut:        "Sign out",
		SignedOutTitle: "You are signed out",
		SignedOutText:  "You are signed out on every browser you had signed in on. Sign in again to change your settings.",

		ForgeryTitle:  "This form has expired",
		ForgeryText:   "For your security, the form could not be accepted. Go back, reload the page and try again.",
		TooManyTitle:  "Too many attempts",
		TooManyText:   "For your security, wait %d min and try again.",
		BusyTitle:     "The server is busy",
		BusyText:      "Your request was not processed. Try again in a few seconds.",
		NotFoundTitle: "Page not found",
		NotFoundText:  "There is nothing at this address.",
		MethodTitle:   "This page does not open this way",
		MethodText:    "It is reached with a button on another page, not with a link or by typing its address. To sign out, use the button on your settings page.",
		ErrorTitle:    "Something went wrong",
		ErrorText:     "Your request could not be completed. Try again in a moment.",
	},
	"fr": {
		Lang:     "fr",
		LangName: "Français",

		InviteTitle:   "Bienvenue chez %s",
		InviteIntro:   "%s, vous avez reçu une invitation à rejoindre %s. Choisissez un mot de passe pour activer votre compte.",
		ResetTitle:    "Choisissez un nouveau mot de passe",
		ResetIntro:    "%s, choisissez un nouveau mot de passe pour votre compte %s.",
		Email:         "Adresse e-mail",
		NewPassword:   "Nouveau mot de passe",
		PasswordAgain: "Le même mot de passe, une seconde fois",
		PasswordHint:  "Au moins 10 caractères. Quelques mots dont vous vous souviendrez font un bon mot de passe.",
		SetPassword:   "Enregistrer mon mot de passe",
		Mismatch:      "Les deux mots de passe ne sont pas identiques. Saisissez-les à nouveau.",
		PasswordIs:    "Votre mot de passe %s.",
		ReadyTitle:    "Votre compte est prêt",
		ReadyText:     "Votre mot de passe est enregistré et votre compte %s est actif. Vous pouvez vous connecter.",
		ChangedTitle:  "Votre mot de passe a été changé",
		ChangedText:   "Utilisez désormais votre nouveau mot de passe.",

		InvalidTitle:  "Ce lien ne fonctionne pas",
		InvalidText:   "Le lien est peut-être incomplet\u00a0: vérifiez que vous l’avez ouvert ou copié en entier. Si l’invitation a été retirée, adressez-vous à la personne qui vous l’a envoyée. Si vous avez un compte, vous pouvez demander un nouveau lien.",
		ExpiredTitle:  "Ce lien a expiré",
		ExpiredText:   "Pour votre sécurité, les liens ne fonctionnent que pendant une durée limitée. Demandez-en un nouveau\u00a0: nous l’enverrons à votre adresse e-mail.",
		UsedTitle:     "Ce lien a déjà été utilisé",
		UsedText:      "Un mot de passe a déjà été choisi avec ce lien, et un lien ne sert qu’une fois. Connectez-vous avec votre mot de passe, ou demandez un nouveau lien si vous l’avez oublié.",
		ReplacedTitle: "Ce lien a été remplacé",
		ReplacedText:  "Un lien plus récent vous a été envoyé après celui-ci, ou l’invitation a été retirée. Utilisez le lien du dernier message reçu, ou demandez-en un nouveau.",
		SetUpTitle:    "Votre compte est déjà prêt",
		SetUpText:     "Un mot de passe a été choisi pour votre compte depuis l’envoi de ce lien, avec un autre lien. Connectez-vous avec lui, ou demandez un nouveau lien si vous l’avez oublié.",
		InactiveTitle: "Votre compte n’est pas actif",
		InactiveText:  "Le compte pour lequel ce lien a été envoyé a été désactivé\u00a0: le lien ne fonctionne plus, et aucun nouveau lien ne peut être envoyé. Adressez-vous à un administrateur de votre compte.",
		NewLink:       "Demander un nouveau lien",

		ForgotTitle:  "Mot de passe oublié ou lien expiré",
		ForgotIntro:  "Saisissez votre adresse e-mail. Nous vous enverrons un lien pour choisir un nouveau mot de passe\u00a0; il est valable une heure.",
		SendLink:     "M’envoyer un lien",
		EmailMissing: "Saisissez votre adresse e-mail.",
		TooLongTitle: "Ce que vous avez envoyé est trop long",
		TooLongText:  "Le formulaire contient bien plus qu’un mot de passe ou une adresse. Revenez en arrière et saisissez-les de nouveau.",
		EmailInvalid: "Ce n’est pas une adresse e-mail\u00a0: vérifiez ce que vous avez saisi.",
		SentTitle:    "Consultez votre messagerie",
		SentText:     "Si l’adresse %s correspond à un compte, un lien pour choisir un mot de passe vous a été envoyé. Il est valable une heure. S’il n’est pas arrivé d’ici quelques minutes, regardez dans vos courriers indésirables.",

		LoginTitle:    "Connexion",
		Password:      "Mot de passe",
		SignIn:        "Se connecter",
		Forgot:        "Mot de passe oublié\u00a0?",
		BadLogin:      "Adresse e-mail ou mot de passe incorrect.",
		SignedInTitle: "Connexion réussie",
		SignedInText:  "Bienvenue, %s. Votre compte %s est prêt et votre mot de passe fonctionne.",

		SettingsLink:   "Choisir vos notifications",
		SettingsTitle:  "Vos notifications",
		SettingsIntro:  "%s, choisissez quels événements vous parviennent, et par quel canal.",
		EventHead:      "Événement",
		Locked:         "Toujours actif\u00a0: les alertes de sécurité ne peuvent pas être désactivées.",
		NoMobile:       "Vous n’avez pas encore de numéro de mobile\u00a0: les SMS vous parviendront une fois qu’il figurera sur votre profil.",
		Save:           "Enregistrer",
		Saved:          "Vos choix sont enregistrés.",
		Stale:          "Vos réglages ont changé ailleurs depuis l’ouverture de cette page\u00a0: les voici tels qu’ils sont. Refaites votre modification.",
		SignOut:        "Se déconnecter",
		SignedOutTitle: "Déconnexion effectuée",
		SignedOutText:  "La session est fermée sur tous les navigateurs où elle était ouverte. Connectez-vous à nouveau pour modifier vos réglages.",

		ForgeryTitle:  "Ce formulaire a expiré",
		ForgeryText:   "Pour votre sécurité, le formulaire n’a pas pu être accepté. Revenez en arrière, rechargez la page et réessayez.",
		TooManyTitle:  "Trop de tentatives",
		TooManyText:   "Pour votre sécurité, patientez %d min puis réessayez.",
		BusyTitle:     "Le service est très sollicité",
		BusyText:      "Votre demande n’a pas été traitée. Réessayez dans quelques secondes.",
		NotFoundTitle: "Page introuvable",
		NotFoundText:  "Il n’y a rien à cette adresse.",
		MethodTitle:   "Cette page ne s’ouvre pas ainsi",
		MethodText:    "On y arrive par un bouton d’une autre page, pas par un lien ni en saisissant son adresse. Pour vous déconnecter, utilisez le bouton de la page de vos réglages.",
		ErrorTitle:    "Une erreur est survenue",
		ErrorText:     "Votre demande n’a pas pu aboutir. Réessayez dans un instant.",
	},
}
