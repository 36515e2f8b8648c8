package i18n

func frCommand() map[string]string {
	return map[string]string{}
}
