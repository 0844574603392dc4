package dev.imagefactory.build.disk;

/**
 * The {@code disk.ovf} of an OVA (OVF 1.0 envelope; our own text, from the facts of talos-imager.md §6.6): one
 * virtual machine {@code talos} of hardware family {@code vmx-15}, guest {@code other3xLinux64Guest}, 2 vCPUs and
 * 2048 MiB, the disk on a paravirtual SCSI controller, a VMXNET3 NIC on "VM Network", {@code disk.EnableUUID=TRUE}
 * (so the guest sees stable disk serials) and the product property {@code talos.config}, which Talos reads through
 * the {@code com.vmware.guestInfo} transport (its vmware kernel args say {@code talos.config=guestinfo}).
 */
final class OvfDescriptor {

    /** The VMDK as the OVF names it; also the name it is made under (its descriptor's extent line carries it). */
    static final String VMDK = "disk.vmdk";
    static final long MIB = 1L << 20;

    private static final String TEMPLATE = """
            <?xml version="1.0" encoding="UTF-8"?>
            <Envelope xmlns="http://schemas.dmtf.org/ovf/envelope/1"
                      xmlns:ovf="http://schemas.dmtf.org/ovf/envelope/1"
                      xmlns:rasd="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ResourceAllocationSettingData"
                      xmlns:vssd="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_VirtualSystemSettingData"
                      xmlns:vmw="http://www.vmware.com/schema/ovf"
                      xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
              <References>
                <File ovf:id="talos-disk-file" ovf:href="%1$s" ovf:size="%2$d"/>
              </References>
              <DiskSection>
                <Info>The virtual disk of the Talos machine</Info>
                <Disk ovf:diskId="talos-disk" ovf:fileRef="talos-disk-file" ovf:capacity="%3$d"
                      ovf:capacityAllocationUnits="byte * 2^20"
                      ovf:format="http://www.vmware.com/interfaces/specifications/vmdk.html#streamOptimized"/>
              </DiskSection>
              <NetworkSection>
                <Info>The network the machine's NIC joins</Info>
                <Network ovf:name="VM Network">
                  <Description>The default virtual machine network</Description>
                </Network>
              </NetworkSection>
              <VirtualSystem ovf:id="talos">
                <Info>A Talos Linux machine</Info>
                <Name>talos</Name>
                <OperatingSystemSection ovf:id="101" vmw:osType="other3xLinux64Guest">
                  <Info>The guest operating system</Info>
                  <Description>Talos Linux (other 3.x or later Linux, 64-bit)</Description>
                </OperatingSystemSection>
                <VirtualHardwareSection ovf:transport="com.vmware.guestInfo">
                  <Info>The machine's virtual hardware</Info>
                  <System>
                    <vssd:ElementName>Virtual hardware family</vssd:ElementName>
                    <vssd:InstanceID>0</vssd:InstanceID>
                    <vssd:VirtualSystemIdentifier>talos</vssd:VirtualSystemIdentifier>
                    <vssd:VirtualSystemType>vmx-15</vssd:VirtualSystemType>
                  </System>
                  <Item>
                    <rasd:AllocationUnits>hertz * 10^6</rasd:AllocationUnits>
                    <rasd:Description>Virtual CPUs</rasd:Description>
                    <rasd:ElementName>2 virtual CPUs</rasd:ElementName>
                    <rasd:InstanceID>1</rasd:InstanceID>
                    <rasd:ResourceType>3</rasd:ResourceType>
                    <rasd:VirtualQuantity>2</rasd:VirtualQuantity>
                  </Item>
                  <Item>
                    <rasd:AllocationUnits>byte * 2^20</rasd:AllocationUnits>
                    <rasd:Description>Memory</rasd:Description>
                    <rasd:ElementName>2048 MB of memory</rasd:ElementName>
                    <rasd:InstanceID>2</rasd:InstanceID>
                    <rasd:ResourceType>4</rasd:ResourceType>
                    <rasd:VirtualQuantity>2048</rasd:VirtualQuantity>
                  </Item>
                  <Item>
                    <rasd:Address>0</rasd:Address>
                    <rasd:Description>SCSI controller</rasd:Description>
                    <rasd:ElementName>SCSI controller 0</rasd:ElementName>
                    <rasd:InstanceID>3</rasd:InstanceID>
                    <rasd:ResourceSubType>VirtualSCSI</rasd:ResourceSubType>
                    <rasd:ResourceType>6</rasd:ResourceType>
                  </Item>
                  <Item>
                    <rasd:AddressOnParent>0</rasd:AddressOnParent>
                    <rasd:ElementName>Hard disk 1</rasd:ElementName>
                    <rasd:HostResource>ovf:/disk/talos-disk</rasd:HostResource>
                    <rasd:InstanceID>4</rasd:InstanceID>
                    <rasd:Parent>3</rasd:Parent>
                    <rasd:ResourceType>17</rasd:ResourceType>
                  </Item>
                  <Item>
                    <rasd:AddressOnParent>7</rasd:AddressOnParent>
                    <rasd:AutomaticAllocation>true</rasd:AutomaticAllocation>
                    <rasd:Connection>VM Network</rasd:Connection>
                    <rasd:Description>VMXNET3 network adapter on "VM Network"</rasd:Description>
                    <rasd:ElementName>Network adapter 1</rasd:ElementName>
                    <rasd:InstanceID>5</rasd:InstanceID>
                    <rasd:ResourceSubType>VmxNet3</rasd:ResourceSubType>
                    <rasd:ResourceType>10</rasd:ResourceType>
                  </Item>
                  <vmw:ExtraConfig ovf:required="false" vmw:key="disk.EnableUUID" vmw:value="TRUE"/>
                </VirtualHardwareSection>
                <ProductSection ovf:required="false">
                  <Info>Talos Linux settings, read by the machine through guestinfo</Info>
                  <Product>Talos Linux</Product>
                  <Property ovf:key="talos.config" ovf:type="string" ovf:userConfigurable="true" ovf:value="">
                    <Label>Talos machine configuration</Label>
                    <Description>The machine configuration, base64-encoded (optional)</Description>
                  </Property>
                </ProductSection>
              </VirtualSystem>
            </Envelope>
            """;

    private OvfDescriptor() {
    }

    /**
     * The descriptor for a VMDK of {@code vmdkBytes} bytes holding a disk of {@code diskBytes} bytes; the capacity is
     * given in MiB (rounded up: a disk image size is a whole number of MiB, and the VM's disk must hold all of it).
     */
    static String render(long diskBytes, long vmdkBytes) {
        if (diskBytes <= 0 || vmdkBytes <= 0) {
            throw new IllegalArgumentException("an OVF needs a disk and a VMDK of some size");
        }
        return TEMPLATE.formatted(VMDK, vmdkBytes, (diskBytes + MIB - 1) / MIB);
    }
}
