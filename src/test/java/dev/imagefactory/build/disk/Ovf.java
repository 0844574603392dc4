package dev.imagefactory.build.disk;

import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import javax.xml.XMLConstants;
import javax.xml.namespace.NamespaceContext;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.xpath.XPathConstants;
import javax.xml.xpath.XPathFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Node;

/**
 * A test-side reader of an OVF descriptor: the JDK's namespace-aware XML parser (it fails on anything not
 * well-formed) and XPath with the OVF, CIM (rasd, vssd) and VMware prefixes.
 */
final class Ovf {

    private static final Map<String, String> NAMESPACES = Map.of(
            "ovf", "http://schemas.dmtf.org/ovf/envelope/1",
            "rasd", "http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ResourceAllocationSettingData",
            "vssd", "http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_VirtualSystemSettingData",
            "vmw", "http://www.vmware.com/schema/ovf");

    private final Document document;

    private Ovf(Document document) {
        this.document = document;
    }

    static Ovf parse(Path file) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(true);
        factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
        return new Ovf(factory.newDocumentBuilder().parse(file.toFile()));
    }

    /** The text of the single node {@code xpath} selects; fails when it selects none. */
    String value(String xpath) throws Exception {
        var path = XPathFactory.newInstance().newXPath();
        path.setNamespaceContext(new NamespaceContext() {
            @Override
            public String getNamespaceURI(String prefix) {
                return NAMESPACES.getOrDefault(prefix, XMLConstants.NULL_NS_URI);
            }

            @Override
            public String getPrefix(String uri) {
                throw new UnsupportedOperationException();
            }

            @Override
            public Iterator<String> getPrefixes(String uri) {
                throw new UnsupportedOperationException();
            }
        });
        Node node = (Node) path.evaluate(xpath, document, XPathConstants.NODE);
        if (node == null) {
            throw new AssertionError("disk.ovf has no " + xpath);
        }
        return node.getTextContent();
    }
}
