package dev.sonde.api.v1alpha1;

/** API group and version of every Sonde kind, and the namespace Sonde installs into unless told otherwise. */
public final class SondeApi {

    public static final String GROUP = "sonde.dev";
    public static final String VERSION = "v1alpha1";
    public static final String API_VERSION = GROUP + "/" + VERSION;
    /** The operator's namespace by default: where AgentReports, the compiled config and the agents live. */
    public static final String DEFAULT_NAMESPACE = "sonde-system";

    private SondeApi() {
    }
}
