/** MCU boards the simulator can be: datasheet static schemas plus the runtime traits that shape dynamic state. */
import type { JsonObject } from './sensor-model.ts';
import { SimulatorError } from './simulator-error.ts';

export const BOARD_IDS = ['esp32-s3', 'pico-w', 'nano33-iot'] as const;
export type BoardId = (typeof BOARD_IDS)[number];

/** Names accepted on the command line and in options (`pico` is the networked Pico W). */
const ALIASES: Readonly<Record<string, BoardId>> = {
  'esp32-s3': 'esp32-s3',
  esp32s3: 'esp32-s3',
  esp32: 'esp32-s3',
  'pico-w': 'pico-w',
  picow: 'pico-w',
  pico: 'pico-w',
  rp2040: 'pico-w',
  'nano33-iot': 'nano33-iot',
  nano33: 'nano33-iot',
  'nano-33-iot': 'nano33-iot',
};

/** What a board is (static schema) and how it behaves at run time. */
export interface BoardProfile {
  readonly id: BoardId;
  /** Short human name, e.g. "ESP32-S3". */
  readonly label: string;
  readonly firmwareVersion: string;
  readonly ramTotal: number;
  readonly flashTotal: number;
  /** Free heap right after boot with no sensors, bytes. */
  readonly baseFreeHeap: number;
  /** Heap each attached sensor driver takes, bytes. */
  readonly heapPerSensor: number;
  readonly cpuFrequencyHz: number;
  /** CPU load of the idle firmware (Wi-Fi stack, timers), percent. */
  readonly idleCpuPercent: number;
  readonly adcBits: number;
  /** ADC-capable pins soil probes are wired to, in order (labels as printed on the board). */
  readonly soilPins: readonly string[];
  /** Script interpreters `mcu.execute_script` accepts; the first is the default. */
  readonly scriptLanguages: readonly string[];
  /** What `os.uname()` prints. */
  readonly uname: string;
  /** The static schema (mcu-static 1.0.0) sent in `device.register`. */
  readonly staticSchema: JsonObject;
}

/** Map a user-facing board name (`esp32-s3`, `pico`, `nano33`, …) to its id. */
export function resolveBoard(name: string): BoardId {
  const id = ALIASES[name.trim().toLowerCase()];
  if (id === undefined) throw new SimulatorError('INVALID_OPTIONS', `Unknown board: ${name} (known: ${Object.keys(ALIASES).join(', ')})`);
  return id;
}

type Capability = 'digital' | 'analog' | 'pwm' | 'interrupt' | 'i2c_sda' | 'i2c_scl' | 'touch' | 'dac' | 'uart_tx' | 'uart_rx' | 'strapping';

function pin(name: string, gpio: number, capabilities: Capability[], notes?: string): JsonObject {
  return { name, gpio, capabilities, voltage: 3.3, ...(notes === undefined ? {} : { notes }) };
}

const FIRMWARE_NAME = 'llm-iot-sim-node';

const ESP32_S3: BoardProfile = {
  id: 'esp32-s3',
  label: 'ESP32-S3',
  firmwareVersion: '2.1.0',
  ramTotal: 524_288,
  flashTotal: 8_388_608,
  baseFreeHeap: 318_000,
  heapPerSensor: 1_400,
  cpuFrequencyHz: 240_000_000,
  idleCpuPercent: 4,
  adcBits: 12,
  soilPins: ['GPIO1', 'GPIO2', 'GPIO4', 'GPIO5'],
  scriptLanguages: ['micropython'],
  uname: "(sysname='esp32', nodename='esp32', release='1.24.1', version='v1.24.1 on 2024-11-29', machine='Generic ESP32S3 module with ESP32S3')",
  staticSchema: {
    manufacturer: 'Espressif',
    model: 'ESP32-S3',
    board: 'ESP32-S3-DevKitC-1-N8',
    description: 'ESP32-S3 dev board with the WROOM-1-N8 module: 8 MB quad-SPI flash, no PSRAM.',
    datasheet_url: 'https://www.espressif.com/sites/default/files/documentation/esp32-s3_datasheet_en.pdf',
    features: ['vector instructions for AI acceleration', 'USB Serial/JTAG controller', 'secure boot', 'flash encryption'],
    processor: { model: 'ESP32-S3', architecture: 'Xtensa LX7', cores: 2, clock_mhz: 240, bits: 32, fpu: true, coprocessors: ['ULP-RISC-V', 'ULP-FSM'] },
    memory: { flash_total: 8_388_608, ram_total: 524_288, rom_total: 393_216, rtc_ram_total: 16_384 },
    communication_protocols: {
      supported: ['I2C', 'SPI', 'UART', 'I2S', 'USB', 'WiFi', 'BLE'],
      wifi: { standards: ['802.11b', '802.11g', '802.11n'], bands_ghz: [2.4], max_tx_power_dbm: 21 },
      ble: { version: '5.0', classic: false },
      i2c: [
        { id: 0, sda_pin: 8, scl_pin: 9, max_clock_hz: 400_000, pins_configurable: true },
        { id: 1, max_clock_hz: 400_000, pins_configurable: true },
      ],
      spi: [{ id: 'SPI2', sck_pin: 12, mosi_pin: 11, miso_pin: 13, cs_pin: 10, max_clock_hz: 80_000_000, pins_configurable: true }],
      uart: [{ id: 0, tx_pin: 43, rx_pin: 44, max_baud: 5_000_000, pins_configurable: true }],
      usb: { version: '1.1', speed: 'full', modes: ['device', 'host', 'otg'] },
    },
    peripherals: { gpio_count: 45, adc_channels: 20, adc_resolution_bits: 12, dac_channels: 0, pwm_channels: 8, touch_channels: 14, i2c_count: 2, spi_count: 4, uart_count: 3, i2s_count: 2, timers: 4, temperature_sensor: true, rtc: true },
    pins: [
      pin('GPIO0', 0, ['digital', 'pwm', 'interrupt', 'strapping'], 'BOOT button.'),
      pin('GPIO1', 1, ['digital', 'analog', 'pwm', 'interrupt', 'touch'], 'ADC1_CH0.'),
      pin('GPIO2', 2, ['digital', 'analog', 'pwm', 'interrupt', 'touch'], 'ADC1_CH1.'),
      pin('GPIO4', 4, ['digital', 'analog', 'pwm', 'interrupt', 'touch'], 'ADC1_CH3.'),
      pin('GPIO5', 5, ['digital', 'analog', 'pwm', 'interrupt', 'touch'], 'ADC1_CH4.'),
      pin('GPIO8', 8, ['digital', 'analog', 'pwm', 'interrupt', 'i2c_sda'], 'Default I2C0 SDA.'),
      pin('GPIO9', 9, ['digital', 'analog', 'pwm', 'interrupt', 'i2c_scl'], 'Default I2C0 SCL.'),
      pin('GPIO43', 43, ['digital', 'uart_tx']),
      pin('GPIO44', 44, ['digital', 'uart_rx']),
    ],
    power: {
      supply_voltage: { min: 3.0, nominal: 3.3, max: 3.6 },
      input_voltage: { min: 4.75, nominal: 5.0, max: 5.25 },
      logic_voltage: 3.3,
      sleep_modes: [
        { name: 'light_sleep', current_ua: 240, wake_sources: ['timer', 'gpio', 'uart', 'wifi'], description: 'CPUs clock-gated, RAM retained.' },
        { name: 'deep_sleep', current_ua: 8, wake_sources: ['timer', 'ext0', 'ext1', 'touch', 'ulp'], description: 'Only the RTC domain on; wakes through a reset.' },
      ],
    },
    firmware: { name: FIRMWARE_NAME, version: '2.1.0', framework: 'ESP-IDF 5.3 + MicroPython 1.24.1' },
  },
};

const PICO_W: BoardProfile = {
  id: 'pico-w',
  label: 'Raspberry Pi Pico W',
  firmwareVersion: '1.4.2',
  ramTotal: 270_336,
  flashTotal: 2_097_152,
  baseFreeHeap: 172_000,
  heapPerSensor: 900,
  cpuFrequencyHz: 125_000_000,
  idleCpuPercent: 7,
  adcBits: 12,
  soilPins: ['GP26', 'GP27', 'GP28'],
  scriptLanguages: ['micropython'],
  uname: "(sysname='rp2', nodename='rp2', release='1.24.1', version='v1.24.1 on 2024-11-29 (GNU 14.1.0 MinSizeRel)', machine='Raspberry Pi Pico W with RP2040')",
  staticSchema: {
    manufacturer: 'Raspberry Pi',
    model: 'Pico W',
    board: 'Raspberry Pi Pico W',
    description: 'RP2040 with 2 MB QSPI flash and an Infineon CYW43439 radio (2.4 GHz Wi-Fi 4, Bluetooth 5.2) on SPI.',
    datasheet_url: 'https://datasheets.raspberrypi.com/picow/pico-w-datasheet.pdf',
    features: ['2 PIO blocks with 4 state machines each', 'UF2 bootloader in ROM (BOOTSEL)', 'SWD debug'],
    processor: { model: 'RP2040', architecture: 'ARM Cortex-M0+', cores: 2, clock_mhz: 133, bits: 32, fpu: false },
    memory: { flash_total: 2_097_152, ram_total: 270_336, rom_total: 16_384 },
    communication_protocols: {
      supported: ['I2C', 'SPI', 'UART', 'USB', 'WiFi', 'BLE'],
      wifi: { standards: ['802.11b', '802.11g', '802.11n'], bands_ghz: [2.4], module: 'Infineon CYW43439' },
      ble: { version: '5.2', classic: true, module: 'Infineon CYW43439' },
      i2c: [
        { id: 0, sda_pin: 4, scl_pin: 5, max_clock_hz: 1_000_000, pins_configurable: true },
        { id: 1, max_clock_hz: 1_000_000, pins_configurable: true },
      ],
      spi: [{ id: 0, sck_pin: 18, mosi_pin: 19, miso_pin: 16, cs_pin: 17, max_clock_hz: 62_500_000, pins_configurable: true }],
      uart: [{ id: 0, tx_pin: 0, rx_pin: 1, pins_configurable: true }],
      usb: { version: '1.1', speed: 'full', modes: ['device', 'host'] },
    },
    peripherals: { gpio_count: 26, adc_channels: 3, adc_resolution_bits: 12, dac_channels: 0, pwm_channels: 16, i2c_count: 2, spi_count: 2, uart_count: 2, pio_state_machines: 8, temperature_sensor: true, rtc: true },
    pins: [
      pin('GP4', 4, ['digital', 'pwm', 'interrupt', 'i2c_sda'], 'Default I2C0 SDA.'),
      pin('GP5', 5, ['digital', 'pwm', 'interrupt', 'i2c_scl'], 'Default I2C0 SCL.'),
      pin('GP26', 26, ['digital', 'analog', 'pwm', 'interrupt'], 'ADC0.'),
      pin('GP27', 27, ['digital', 'analog', 'pwm', 'interrupt'], 'ADC1.'),
      pin('GP28', 28, ['digital', 'analog', 'pwm', 'interrupt'], 'ADC2.'),
    ],
    power: {
      supply_voltage: { nominal: 3.3 },
      input_voltage: { min: 1.8, max: 5.5 },
      logic_voltage: 3.3,
      sleep_modes: [
        { name: 'sleep', wake_sources: ['interrupt'], description: 'Processors halted with clocks gated.' },
        { name: 'dormant', wake_sources: ['gpio', 'rtc'], description: 'All oscillators stopped.' },
      ],
    },
    firmware: { name: FIRMWARE_NAME, version: '1.4.2', framework: 'MicroPython 1.24.1' },
  },
};

const NANO33_IOT: BoardProfile = {
  id: 'nano33-iot',
  label: 'Arduino Nano 33 IoT',
  firmwareVersion: '1.2.0',
  ramTotal: 32_768,
  flashTotal: 262_144,
  baseFreeHeap: 21_500,
  heapPerSensor: 350,
  cpuFrequencyHz: 48_000_000,
  idleCpuPercent: 12,
  adcBits: 12,
  soilPins: ['A0', 'A1', 'A2', 'A3'],
  scriptLanguages: ['circuitpython'],
  uname: "(sysname='samd21', nodename='samd21', release='9.2.1', version='9.2.1 on 2024-11-20', machine='Arduino Nano 33 IoT with samd21g18')",
  staticSchema: {
    manufacturer: 'Arduino',
    model: 'Nano 33 IoT',
    board: 'ABX00027',
    description: 'SAMD21G18A with a u-blox NINA-W102 radio module (Wi-Fi, BLE) and an ATECC608A crypto chip; 3.3 V I/O, not 5 V tolerant.',
    datasheet_url: 'https://docs.arduino.cc/resources/datasheets/ABX00027-datasheet.pdf',
    features: ['secure element ATECC608A', 'LSM6DS3 IMU on board'],
    processor: { model: 'SAMD21G18A', architecture: 'ARM Cortex-M0+', cores: 1, clock_mhz: 48, bits: 32, fpu: false },
    memory: { flash_total: 262_144, ram_total: 32_768 },
    communication_protocols: {
      supported: ['I2C', 'SPI', 'UART', 'USB', 'WiFi', 'BLE'],
      wifi: { standards: ['802.11b', '802.11g', '802.11n'], bands_ghz: [2.4], module: 'u-blox NINA-W102' },
      ble: { version: '4.2', module: 'u-blox NINA-W102' },
      i2c: [{ id: 0, sda_pin: 'A4', scl_pin: 'A5', max_clock_hz: 400_000, pins_configurable: false }],
      spi: [{ id: 0, sck_pin: 'D13', mosi_pin: 'D11', miso_pin: 'D12', cs_pin: 'D10', max_clock_hz: 12_000_000, pins_configurable: false }],
      uart: [{ id: 0, tx_pin: 'D1', rx_pin: 'D0', pins_configurable: false }],
      usb: { version: '2.0', speed: 'full', modes: ['device'] },
    },
    peripherals: { gpio_count: 22, adc_channels: 8, adc_resolution_bits: 12, dac_channels: 1, dac_resolution_bits: 10, pwm_channels: 11, i2c_count: 1, spi_count: 1, uart_count: 1, temperature_sensor: false, rtc: true },
    pins: [
      pin('A0', 14, ['digital', 'analog', 'dac']),
      pin('A1', 15, ['digital', 'analog', 'interrupt']),
      pin('A2', 16, ['digital', 'analog', 'pwm']),
      pin('A3', 17, ['digital', 'analog', 'pwm']),
      pin('A4', 18, ['digital', 'analog', 'i2c_sda']),
      pin('A5', 19, ['digital', 'analog', 'pwm', 'interrupt', 'i2c_scl']),
    ],
    power: {
      supply_voltage: { nominal: 3.3 },
      input_voltage: { min: 4.5, max: 21 },
      logic_voltage: 3.3,
      sleep_modes: [
        { name: 'idle', wake_sources: ['interrupt'], description: 'CPU stopped, peripherals running.' },
        { name: 'standby', wake_sources: ['rtc', 'external_interrupt'], description: 'All clocks stopped except those kept for wake-up.' },
      ],
    },
    firmware: { name: FIRMWARE_NAME, version: '1.2.0', framework: 'CircuitPython 9.2.1' },
  },
};

/** Every board profile by id. */
export const BOARD_PROFILES: Readonly<Record<BoardId, BoardProfile>> = {
  'esp32-s3': ESP32_S3,
  'pico-w': PICO_W,
  'nano33-iot': NANO33_IOT,
};
