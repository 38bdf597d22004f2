package it;

import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.importer.ZipImporter;
import org.jboss.shrinkwrap.api.spec.WebArchive;

import java.io.File;
import java.net.URL;

/** The WAR that `package` built, deployed unchanged: the tests are black-box. */
final class Deployments {

    private Deployments() {
    }

    static WebArchive builtWar() {
        File war = new File(System.getProperty("it.war", "target/lanscape-signaling.war"));
        return ShrinkWrap.create(ZipImporter.class, "lanscape-signaling.war").importFrom(war).as(WebArchive.class);
    }

    /** http://host:port/context/ with the trailing slash. */
    static String httpBase(URL base) {
        String url = base.toString();
        return url.endsWith("/") ? url : url + "/";
    }

    /** ws://host:port/context/ for the application's base URL. */
    static String wsBase(URL base) {
        return httpBase(base).replaceFirst("^http", "ws");
    }
}
