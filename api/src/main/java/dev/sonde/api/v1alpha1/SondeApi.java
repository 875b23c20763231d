package dev.sonde.api.v1alpha1;

/** API group and version of every Sonde kind. */
public final class SondeApi {

    public static final String GROUP = "sonde.dev";
    public static final String VERSION = "v1alpha1";
    public static final String API_VERSION = GROUP + "/" + VERSION;

    private SondeApi() {
    }
}
