package i18n

func frErrors() map[string]string {
	return map[string]string{}
}
